"""Lists: one page of rows at a time. Every list view filters a queryset (with select_related so the number of
queries does not grow with the page) and hands it here."""

from django.core.paginator import Paginator

PER_PAGE = 25


def paginate(request, object_list, per_page: int = PER_PAGE):
    """The page asked for in ``?page=``; a missing or impossible page number gives the first or last page."""
    paginator = Paginator(object_list, per_page)
    return paginator.get_page(request.GET.get("page"))
