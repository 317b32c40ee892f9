from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send the content security policy from settings on every response (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
