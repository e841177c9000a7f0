from django.http import JsonResponse


def system_status(request):
    raise NotImplementedError


def health(request):
    return JsonResponse({"status": "ok"})
