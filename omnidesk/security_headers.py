"""A strict Content-Security-Policy on every answer that has none of its own.

Our pages load scripts, styles and images from our origin only and run no
inline code, so markup that slipped through (a message, a name) cannot run
or call out. A view with other needs (a file download, the demo shop page)
sets its own policy, which is kept.
"""
from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response
