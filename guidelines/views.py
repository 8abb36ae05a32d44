from django.http import HttpResponse


def guideline_list(request):
    return HttpResponse("")


def guideline_detail(request, key):
    return HttpResponse("")
