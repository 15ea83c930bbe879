"""The prospectus: what a regency's programs offer to donors and companies, and where they need help.

The forum wants to offer its synchronised programs "professionally, not only to government but to
donors and companies". The prospectus is that offer, read from the same rows as every other page:
open gaps, where programs work, and the collaborations the coordinators accepted, per kecamatan,
aggregated so that it holds no personal data. Partners read it signed in; a regency may also let
anyone read it (off by default).
"""
