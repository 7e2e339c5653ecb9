from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.serializers import (
    LoginSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    RefreshSerializer,
    TokenPairSerializer,
)
from apps.accounts.services import InvalidCredentials, token_refresh, user_login, user_logout, user_password_change
from apps.accounts.throttles import LoginEmailThrottle, LoginIPThrottle, RefreshIPThrottle
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.db import retry_on_conflict


class LoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle, LoginEmailThrottle]

    def throttled(self, request, wait):
        email = request.data.get("email") if isinstance(request.data, dict) else ""
        audit_record(action=AuditAction.LOGIN_THROTTLED, email=str(email or "")[:254], request=request)
        super().throttled(request, wait)

    @extend_schema(request=LoginSerializer, responses={200: TokenPairSerializer}, auth=[])
    @retry_on_conflict
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tokens = user_login(request=request, **serializer.validated_data)
        except InvalidCredentials:
            LoginEmailThrottle().record_failure(request, self)
            raise
        return Response(tokens)


class RefreshApi(APIView):
    """Rotates: answers a new pair; the refresh token sent is blacklisted
    (atomically: one refresh token yields at most one new pair)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [RefreshIPThrottle]

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer}, auth=[])
    @retry_on_conflict
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(token_refresh(refresh=serializer.validated_data["refresh"]))


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=RefreshSerializer, responses={205: None})
    @retry_on_conflict
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_logout(user=request.user, refresh=serializer.validated_data["refresh"], request=request)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class PasswordChangeApi(APIView):
    """Change one's own password; every refresh token of the user is revoked."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    @retry_on_conflict
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(actor=request.user, user=request.user, request=request, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
