from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from automation.api import views as automation_views
from routing.api import views as routing_views

from . import views

router = DefaultRouter()
router.register("teams", views.TeamViewSet, basename="team")
router.register("agents", views.AgentViewSet, basename="agent")
router.register("channels", views.ChannelViewSet, basename="channel")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("conversations", views.ConversationViewSet, basename="conversation")
router.register("messages", views.MessageViewSet, basename="message")
router.register("merges", views.CustomerMergeViewSet, basename="merge")
router.register("business-calendars", routing_views.BusinessCalendarViewSet, basename="business-calendar")
router.register("sla-policies", routing_views.SlaPolicyViewSet, basename="sla-policy")
router.register("assignment-policies", routing_views.AssignmentPolicyViewSet, basename="assignment-policy")
router.register("webhook-subscriptions", automation_views.WebhookSubscriptionViewSet, basename="webhook-subscription")
router.register("webhook-deliveries", automation_views.WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("automation-rules", automation_views.AutomationRuleViewSet, basename="automation-rule")
router.register("macros", automation_views.MacroViewSet, basename="macro")
router.register("automation-evaluations", automation_views.RuleEvaluationViewSet, basename="automation-evaluation")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("agents/<int:pk>/status/", routing_views.AgentStatusView.as_view(), name="agent-status"),
    path("", include(router.urls)),
]
