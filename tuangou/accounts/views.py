from django.shortcuts import render

from .privacy import PRIVACY_POLICY_VERSION


def privacy_policy(request):
    """The privacy policy, in Chinese, for the H5 login page's 《隐私政策》 link."""
    return render(request, "accounts/privacy.html", {"version": PRIVACY_POLICY_VERSION})
