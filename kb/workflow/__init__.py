"""The review workflow: authoring permissions, notifications, scheduled publishing, admin guard."""
