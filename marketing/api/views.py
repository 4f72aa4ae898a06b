"""Thin REST views of the marketing layer: check, call an action, serialise."""
from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsAdmin
from conversations.actions.errors import ActionError
from conversations.models import Customer
from customers.api.views import visible_customers

from .. import families, tasks
from ..actions import attribution, campaigns, consent, segments
from ..models import Campaign, Consent, Recipient, Segment
from . import serializers


def _refused(exc):
    return ValidationError({exc.field or "detail": [exc.message]})


class ConsentList(generics.ListCreateAPIView):
    """The ledger (newest first), of the customers the caller may see; POST appends an entry."""

    serializer_class = serializers.ConsentSerializer

    def get_queryset(self):
        entries = Consent.objects.filter(customer__in=visible_customers(self.request.user)).select_related(
            "identity", "recorded_by")
        for field in ("customer", "identity", "channel", "purpose"):
            value = self.request.query_params.get(field)
            if value:
                if field in ("customer", "identity") and not value.isdigit():
                    raise ValidationError({field: ["An id is a whole number."]})
                entries = entries.filter(**{field: value})
        if self.request.query_params.get("current") == "true":
            entries = consent.current_entries(entries)
        return entries

    def perform_create(self, serializer):
        identity = serializer.validated_data["identity"]
        if not visible_customers(self.request.user).filter(pk=identity.customer_id).exists():
            raise ValidationError({"identity": ["No such identity."]})
        data = serializer.validated_data
        source = data["source"] if self.request.user.is_superuser or data["source"] != Consent.Source.PROVIDER \
            else Consent.Source.AGENT
        try:
            serializer.instance = consent.record(identity, data["channel"], data["purpose"], data["state"], source,
                                                 data.get("evidence", {}), by=self.request.user)
        except ActionError as exc:
            raise _refused(exc) from None


class SegmentList(generics.ListCreateAPIView):
    permission_classes = [IsAdmin]
    serializer_class = serializers.SegmentSerializer
    queryset = Segment.objects.all()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = segments.create(data["name"], data.get("kind", Segment.Kind.DYNAMIC),
                                                  data.get("definition") or {}, by=self.request.user)
        except ActionError as exc:
            raise _refused(exc) from None


class SegmentDetail(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdmin]
    serializer_class = serializers.SegmentSerializer
    queryset = Segment.objects.all()

    def perform_update(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = segments.update(serializer.instance, data.get("name"), data.get("definition"))
        except ActionError as exc:
            raise _refused(exc) from None

    def perform_destroy(self, instance):
        if instance.campaigns.exists():
            raise ValidationError({"detail": ["Campaigns were sent to this segment; it is kept for their reports."]})
        instance.delete()


class SegmentUpload(APIView):
    """POST name + a CSV file (email, phone or customer_id column): a static segment of those customers."""

    permission_classes = [IsAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=None, responses={201: serializers.SegmentSerializer})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the CSV file."]})
        try:
            segment, unknown = segments.create_static_from_csv(request.data.get("name"), upload, by=request.user)
        except ActionError as exc:
            raise _refused(exc) from None
        body = serializers.SegmentSerializer(segment).data
        body["unknown_rows"] = unknown
        return Response(body, status=status.HTTP_201_CREATED)


def _sample(count, customers):
    return {"count": count, "sample": serializers.SegmentCustomerSerializer(customers, many=True).data}


class SegmentPreview(APIView):
    """POST {"definition": tree}: how many customers match now and 20 of them; nothing is saved."""

    permission_classes = [IsAdmin]
    parser_classes = [JSONParser]

    @extend_schema(request=serializers.PreviewSerializer, responses={200: None})
    def post(self, request):
        if not isinstance(request.data, dict) or "definition" not in request.data:
            raise ValidationError({"definition": ["Send {\"definition\": {...}}."]})
        try:
            return Response(_sample(*segments.preview(request.data["definition"])))
        except ActionError as exc:
            raise _refused(exc) from None


class SegmentCustomers(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = serializers.SegmentCustomerSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        segment = get_object_or_404(Segment, pk=self.kwargs["pk"])
        return Customer.objects.filter(segment_memberships__segment=segment).order_by("-last_seen_at", "-id")


class CampaignList(generics.ListCreateAPIView):
    permission_classes = [IsAdmin]
    serializer_class = serializers.CampaignSerializer
    queryset = Campaign.objects.select_related("segment", "channel")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = campaigns.create(by=self.request.user, **data)
        except ActionError as exc:
            raise _refused(exc) from None


class CampaignDetail(generics.RetrieveUpdateAPIView):
    """GET: the campaign and its report (a repeating one: its runs too). PATCH: what a campaign that has not
    started sends, or a repeating campaign's schedule."""

    permission_classes = [IsAdmin]
    serializer_class = serializers.CampaignSerializer
    queryset = Campaign.objects.select_related("segment", "channel")
    http_method_names = ["get", "patch", "head", "options"]

    def retrieve(self, request, *args, **kwargs):
        campaign = self.get_object()
        body = self.get_serializer(campaign).data
        body["report"] = attribution.report(campaign)
        if campaign.repeats:
            body["runs"] = [{**serializers.CampaignSerializer(run).data, "report": run_report}
                            for run, run_report in attribution.run_reports(campaign)]
        return Response(body)

    def perform_update(self, serializer):
        try:
            serializer.instance = campaigns.update(serializer.instance.pk, **serializer.validated_data)
        except ActionError as exc:
            raise _refused(exc) from None


class CampaignPreview(APIView):
    """POST the composer's fields: {language: {text, html, subject, template}} for each language we write in,
    filled in for one customer of the segment (or a made-up one when it has nobody), footers included."""

    permission_classes = [IsAdmin]
    parser_classes = [JSONParser]

    @extend_schema(request=serializers.CampaignPreviewSerializer, responses={200: None})
    def post(self, request):
        data = serializers.CampaignPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        segment = fields.pop("segment", None)
        template = fields["template"]
        if families.family_of(fields["channel"].kind) == families.WHATSAPP and not (
                isinstance(template, dict) and isinstance(template.get("name"), str)):
            raise ValidationError({"template": [_("Choose one of the channel's approved templates.")]})
        member = segment.members.select_related("customer").order_by("customer_id").first() if segment else None
        try:
            shown = campaigns.preview(Campaign(**fields), [code for code, _name in settings.LANGUAGES],
                                      member.customer if member else None)
        except ActionError as exc:
            raise _refused(exc) from None
        return Response({"customer": member.customer.name if member else None, "languages": shown})


CAMPAIGN_COMMANDS = ("start", "schedule", "pause", "resume", "cancel")


class CampaignControl(APIView):
    """POST start/ pause/ resume/ cancel/ schedule/ ({"scheduled_at": ISO time})."""

    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses={200: serializers.CampaignSerializer}, operation_id="campaigns_control")
    def post(self, request, pk, command):
        if command not in CAMPAIGN_COMMANDS:
            raise Http404
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            if command == "start":
                if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
                    raise ActionError(_("Only a draft or scheduled campaign can be started."))
                campaign = campaigns.start(campaign.pk)
                tasks.send_campaign.delay(campaign.pk)
            elif command == "schedule":
                when = parse_datetime(str(request.data.get("scheduled_at") or ""))
                if when is None or when.tzinfo is None:
                    raise ActionError(_("scheduled_at is an ISO 8601 time with its offset."), field="scheduled_at")
                campaign = campaigns.schedule(campaign.pk, when)
            else:
                campaign = {"pause": campaigns.pause, "resume": campaigns.resume, "cancel": campaigns.cancel}[
                    command](campaign.pk)
        except ActionError as exc:
            raise _refused(exc) from None
        return Response(serializers.CampaignSerializer(campaign).data)


class CampaignRecipients(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = serializers.RecipientSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Recipient.objects.none()
        campaign = get_object_or_404(Campaign, pk=self.kwargs["pk"])
        recipients = campaign.recipients.select_related("message").order_by("send_after", "id")
        wanted = self.request.query_params.get("status")
        if wanted == "skipped":
            recipients = recipients.filter(status="skipped")
        elif wanted in ("delivered", "read", "failed"):
            recipients = recipients.filter(message__status=wanted)
        elif wanted == "queued":
            recipients = recipients.filter(status="queued")
        elif wanted:
            raise ValidationError({"status": ["queued, skipped, delivered, read or failed."]})
        return recipients
