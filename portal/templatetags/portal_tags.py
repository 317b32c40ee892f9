"""The organisation page's section on the provider portal: who has an account, the open invitations, and the office's
links to invite someone or send a message. A tag, so the grants app's view need not know the portal."""

from django import template

from grants.models import ProviderAccount

register = template.Library()


@register.inclusion_tag("portal/_organisation_people.html", takes_context=True)
def portal_people(context, organisation):
    from portal.invitations import open_invitations
    from portal.messaging import messages_for

    return {
        "org": organisation,
        "accounts": list(ProviderAccount.objects.filter(organisation=organisation).select_related("user")
                         .order_by("user__username")),
        "invitations": list(open_invitations(organisation)),
        "sent": list(messages_for(organisation)[:5]),
        "is_finance_officer": context.get("is_finance_officer"),
        "csrf_token": context.get("csrf_token"),
    }
