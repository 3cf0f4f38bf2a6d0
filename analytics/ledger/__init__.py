"""The Tukin ledger: a monthly, frozen, appealable record of every case counted against a unit
(docs/ledger.md). ``close`` freezes a month, ``appeals`` files and decides keberatan, ``read``
gives a month's figures and cases, ``report`` writes the BKPSDM's PDF and XLSX."""
