"""SLA policy labels in the page language (ui.widgets.policy_label). Indonesian first.

A policy file (data/sla/<name>.toml) carries one label, in Indonesian. ``policy.label.<name>`` holds
that label in both languages: the Indonesian entry must equal the file's label and the English one
must name the same numbers (tests/test_first_screen_ui.py checks both, so a changed limit cannot
leave a stale translation). A policy file without an entry here is labelled in English from its
limits (``policy.stage.*``, ``policy.limit.*``).
"""

MESSAGES = {
    "id": {
        "policy.label.sp4n-lapor": "SP4N-LAPOR! (verifikasi 3 hari kerja, tindak lanjut 5 hari kerja)",
        "policy.label.kota-bandung": "Kota Bandung (verifikasi 2 hari kerja, tindak lanjut 5 hari kerja)",
        "policy.label.lapor-aa-bekasi": "Lapor AA Bupati Bekasi (verifikasi 3 hari kerja, tindak lanjut 24 jam)",
        "policy.label.permenpan-62-2018": "Permenpan RB 62/2018 (penyelesaian 2/5/14/60 hari kerja menurut klasifikasi)",
        "policy.label.kbb-kang-hengky": (
            "Lapor Kang Hengky, Kab. Bandung Barat (respons 4 hari kerja sejak diterima)"
        ),
        "policy.stage.verifikasi": "verifikasi",
        "policy.stage.tindak_lanjut": "tindak lanjut",
        "policy.stage.penyelesaian": "penyelesaian",
        "policy.limit.classified": "{stage} {days} hari kerja menurut klasifikasi",
        "policy.limit.respons": "respons {limit} sejak diterima",
    },
    "en": {
        "policy.label.sp4n-lapor": "SP4N-LAPOR! (verification 3 working days, follow-up 5 working days)",
        "policy.label.kota-bandung": "Kota Bandung (verification 2 working days, follow-up 5 working days)",
        "policy.label.lapor-aa-bekasi": "Lapor AA Bupati Bekasi (verification 3 working days, follow-up 24 hours)",
        "policy.label.permenpan-62-2018": "Permenpan RB 62/2018 (resolution 2/5/14/60 working days by classification)",
        "policy.label.kbb-kang-hengky": (
            "Lapor Kang Hengky, Kab. Bandung Barat (response 4 working days from receipt)"
        ),
        "policy.stage.verifikasi": "verification",
        "policy.stage.tindak_lanjut": "follow-up",
        "policy.stage.penyelesaian": "resolution",
        "policy.limit.classified": "{stage} {days} working days by classification",
        "policy.limit.respons": "response {limit} from receipt",
    },
}
