from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "votes"

    def ready(self):
        # Comments follow their capabilities and tests through a document replacement.
        from guidelines.signals import parts_replaced, parts_replacing
        from votes.comments import detach_from_parts, reattach_to_parts

        parts_replacing.connect(detach_from_parts, dispatch_uid="votes.comments.detach")
        parts_replaced.connect(reattach_to_parts, dispatch_uid="votes.comments.reattach")
