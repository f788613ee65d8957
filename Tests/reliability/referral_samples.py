"""What the reliability tests send: one police referral with made-up, non-personal values
(no identity number, no client name), so nothing personal can reach test output."""


def referral(ref):
    """A police referral to the Skövde centre, identified by the agency's own `ref`."""
    return {
        "externalRef": ref, "source": "agency",
        "referrer": {"agency": "police", "unit": "LPO Skövde", "contactName": "Kim Polis"},
        "municipality": "Skövde", "category": "subjected-to-violence", "help": ["individual-talks"],
        "client": {"identityKind": "none", "protectedIdentity": False},
        "safeContact": {"doNotContact": True},
        "consent": {"given": True, "scope": ["referral", "status"], "givenAt": "2026-11-20", "recordedBy": "Kim Polis"},
        "urgency": "normal",
        "riskAnswers": {"escalation": "no", "threat-to-kill": "no", "strangulation": "no"},
    }
