"""The weekly performance review pack (PDF, workbook, WhatsApp digests) and the commitments
tracker. Pure analytics: no Streamlit, no ui imports; docs/review-pack.md explains the pack."""
