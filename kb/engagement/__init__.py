"""What readers do with knowledge and what the help centre shows them.

`actions` writes (page views, favourites), `selectors` reads usage and favourites, `reader` gathers
what a knowledge page and the help centre show one viewer. Every read of pages, documents, tickets
and customers goes through permissions.policy.
"""
