"""Publishing: approving a draft as ``YYYY.MM``, and what a release is made of.

The layer above ``votes``: an approval rests on a passed approval ballot (or, for
history approved elsewhere, a recorded reason), and a release bundle carries the
ballot record and the scoring worksheet beside the guideline's own artifacts.
"""
