from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self):
        # The drafting workspace (a lower layer) asks for deployment evidence
        # through capabilities.evidence, without importing compliance.
        from capabilities import evidence
        from compliance.evidence import deployment

        evidence.register(deployment)
