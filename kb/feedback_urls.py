from django.urls import path

from kb import feedback_views

app_name = "kb_feedback"

urlpatterns = [
    path("", feedback_views.feedback_list, name="list"),
    path("page/<int:page_id>/", feedback_views.submit_page_feedback, name="submit"),
    path("<int:pk>/handled/", feedback_views.mark_handled, name="handled"),
]
