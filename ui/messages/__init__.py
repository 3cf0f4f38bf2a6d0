"""Each page's texts, one module per page (MESSAGES = {"id": {...}, "en": {...}}), merged into
ui.i18n.MESSAGES at import."""
