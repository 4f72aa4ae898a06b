from rest_framework.permissions import SAFE_METHODS, BasePermission

from conversations.visibility import is_admin


class IsAdmin(BasePermission):
    message = "Only admins may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_admin(request.user))


class AdminWritesOthersRead(BasePermission):
    message = "Only admins may change this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_admin(request.user)
