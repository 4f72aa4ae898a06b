"""Thin REST views for routing: shape the input, call an action, serialise the answer."""
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.actions import presence
from conversations.actions.errors import ActionError
from conversations.channel_kinds import known_kinds
from conversations.models import Team
from conversations.visibility import is_admin, sees_everything, team_ids

from ..actions import calendars as calendar_actions
from ..actions import policies
from ..availability import capacities, loads, status_takes
from ..models import AssignmentPolicy, BusinessCalendar, SlaPolicy
from . import serializers


def action_error(exc):
    return ValidationError({exc.field or "detail": [exc.message]})


class AdminWritesOthersRead(IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and (request.method in ("GET", "HEAD", "OPTIONS")
                                                          or is_admin(request.user))


class AdminsOnly(IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and is_admin(request.user)


class SavedByAnAction(viewsets.ModelViewSet):
    """Create and update go through `save(request, instance, partial)`, which calls the action."""

    def create(self, request):
        return Response(self.save(request), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        return Response(self.save(request, self.get_object(), partial=partial))


class BusinessCalendarViewSet(SavedByAnAction):
    serializer_class = serializers.BusinessCalendarSerializer
    permission_classes = [AdminWritesOthersRead]
    queryset = BusinessCalendar.objects.prefetch_related("exceptions").order_by("name")

    def save(self, request, instance=None, partial=False):
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            calendar = calendar_actions.save_calendar(
                data.get("name", instance.name if instance else ""),
                data.get("time_zone", instance.time_zone if instance else ""),
                data.get("weekly_hours", instance.weekly_hours if instance else {}),
                # Left out of a change: the calendar keeps its exceptions.
                data.get("exceptions", None if instance else []), instance=instance)
        except ActionError as exc:
            raise action_error(exc) from exc
        return self.get_serializer(self.get_queryset().get(pk=calendar.pk)).data

    def destroy(self, request, pk=None):
        try:
            calendar_actions.delete_calendar(self.get_object())
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class SlaPolicyViewSet(SavedByAnAction):
    serializer_class = serializers.SlaPolicySerializer
    permission_classes = [AdminsOnly]
    queryset = SlaPolicy.objects.prefetch_related("targets").order_by("position", "id")

    def save(self, request, instance=None, partial=False):
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            policy = policies.save_sla_policy(serializer.validated_data, instance=instance)
        except ActionError as exc:
            raise action_error(exc) from exc
        return self.get_serializer(self.get_queryset().get(pk=policy.pk)).data

    def destroy(self, request, pk=None):
        policies.delete_sla_policy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssignmentPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                              viewsets.GenericViewSet):
    """One per team, addressed by the team's id; a team never configured shows the defaults (mode off)."""

    serializer_class = serializers.AssignmentPolicySerializer
    permission_classes = [AdminWritesOthersRead]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Team.objects.none()
        teams = Team.objects.select_related("assignment_policy").prefetch_related("capacity_rules").order_by("name")
        if not sees_everything(self.request.user):
            teams = teams.filter(pk__in=team_ids(self.request.user))
        return teams

    @staticmethod
    def policy_of(team):
        try:
            return team.assignment_policy
        except AssignmentPolicy.DoesNotExist:
            return AssignmentPolicy(team=team)

    def list(self, request):
        return Response(self.get_serializer([self.policy_of(team) for team in self.get_queryset()], many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.policy_of(self.get_object())).data)

    def update(self, request, pk=None, partial=False):
        team = self.get_object()
        serializer = self.get_serializer(self.policy_of(team), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            policy = policies.save_assignment_policy(team, **serializer.validated_data)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(self.policy_of(self.get_queryset().get(pk=policy.team_id))).data)


def agent_status(user, team_id=None):
    """Status, load and capacity per channel kind, and which kinds the agent takes now."""
    status_now = presence.statuses([user.pk])[user.pk]
    load = loads([user.pk])[user.pk]
    capacity = capacities([user.pk], team_id)[user.pk]
    return {
        "agent": user.pk,
        "status": status_now,
        "load": dict(load),
        "capacity": capacity,
        "takes": [kind for kind in known_kinds() if status_takes(status_now, kind)
                  and (capacity.get(kind) is None or load[kind] < capacity[kind])],
    }


class AgentStatusView(APIView):
    """GET an agent's status and load; PATCH {"status"} (the agent, or a supervisor) or {"capacity"} (admins)."""

    permission_classes = [IsAuthenticated]

    def _agent(self, request, pk):
        agent = get_object_or_404(get_user_model(), pk=pk, agent__isnull=False)
        if agent.pk != request.user.pk and not sees_everything(request.user):
            raise PermissionDenied("Only supervisors see other agents' status.")
        return agent

    @extend_schema(responses=serializers.AgentStatusSerializer)
    def get(self, request, pk):
        return Response(agent_status(self._agent(request, pk)))

    @extend_schema(request=serializers.AgentStatusSerializer, responses=serializers.AgentStatusSerializer)
    def patch(self, request, pk):
        agent = self._agent(request, pk)
        serializer = serializers.AgentStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "capacity" in data and not is_admin(request.user):
            raise PermissionDenied("Only admins set capacity.")
        try:
            if "capacity" in data:
                policies.set_agent_capacity(agent, data["capacity"])
            if "status" in data:
                policies.choose_status(agent, data["status"])
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(agent_status(agent))
