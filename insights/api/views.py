"""GET /api/v1/reports/<name>/?from=&to=&team=&channel=&agent=&tz= (JSON, or CSV of one table)."""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..reports import REPORTS, build
from ..reports.export import table_csv
from ..reports.filters import ReportForbidden, ReportInputError, parse_filters


def report_or_error(name, params, user):
    """(Report, filters), or the DRF error for an unknown report, bad input or another team's report."""
    if name not in REPORTS:
        raise NotFound(f"Unknown report {name!r}; reports: {', '.join(sorted(REPORTS))}.")
    try:
        filters = parse_filters(params, user)
    except ReportInputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc
    except ReportForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    return build(name, filters), filters


def csv_response(report, table_key):
    table = next((t for t in report.tables if t.key == table_key), None) if table_key else report.tables[0]
    if table is None:
        raise ValidationError({"table": [f"Tables of this report: {', '.join(t.key for t in report.tables)}."]})
    answer = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{report.name}-{table.key}.csv"'
    return answer


class ReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="reports_report", responses=OpenApiTypes.OBJECT)
    def get(self, request, name):
        report, filters = report_or_error(name, request.query_params, request.user)
        if request.query_params.get("export") == "csv":
            return csv_response(report, request.query_params.get("table", ""))
        return Response(report.as_dict(filters))


class ReportListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="reports_list", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response([{"name": name, "title": str(title)} for name, (title, _) in REPORTS.items()])
