from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=N``, and ``?page_size=`` up to 1,000 for tooling that wants fewer calls."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
