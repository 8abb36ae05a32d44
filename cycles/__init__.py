"""The cycle calendar: a guideline cycle's summit date, and the milestones of 2017A's
timeline (S-3 to S+3) derived from it."""
