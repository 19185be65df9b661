"""Sign-ins and sign-outs into the audit log: a breach review must tell who was in."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .choices import AuditAction
from .services import tokens_revoke


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(action=AuditAction.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action=AuditAction.LOGOUT, request=request, actor=user)
        tokens_revoke(user=user)  # signing out ends the API tokens too


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    # The failure is nobody's act but the name tried, even when the browser still holds
    # someone else's session: an anonymous actor stops record() taking the request's user.
    audit.record(
        action=AuditAction.LOGIN_FAILED, request=request, actor=AnonymousUser(), username=username
    )
