from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Serve zh-hans unless the user chose another language with the switch (its cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; Zhiku is Chinese first,
    so an English browser still gets Chinese until its user picks English.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
