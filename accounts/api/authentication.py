"""API token authentication with an age limit (API_TOKEN_TTL, 30 days by default): a token
leaked in a script or a spreadsheet stops working by itself."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..services import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("This token has expired: ask for a new one."))
        return user, token
