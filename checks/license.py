"""Does the target carry a license that lets others reuse it?

OSI-approved licenses pass; a recognised but non-OSI license (e.g.
CC-BY-NC-4.0) or an unrecognised one (GitHub's NOASSERTION, Hugging Face's
"other") warns; no license fails. Datasets also pass with an open-data
license (CC-BY, CC0, ODC...), which is what data is normally licensed under.
"""

from __future__ import annotations

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Result
from checks._common import ANY_REPO_KINDS, Gate, gate, missing_key

#: SPDX ids of OSI-approved licenses (SPDX license list, ``isOsiApproved``), including
#: the deprecated bare and "+" GPL/LGPL/AGPL ids hosts still report. BlueOak-1.0.0
#: was approved by the OSI after older SPDX lists were published.
OSI_APPROVED = frozenset(
    s.casefold()
    for s in """
    0BSD AAL AFL-1.1 AFL-1.2 AFL-2.0 AFL-2.1 AFL-3.0 AGPL-3.0 AGPL-3.0-only AGPL-3.0-or-later
    APL-1.0 APSL-1.0 APSL-1.1 APSL-1.2 APSL-2.0 Apache-1.1 Apache-2.0 Artistic-1.0
    Artistic-1.0-Perl Artistic-1.0-cl8 Artistic-2.0 BSD-1-Clause BSD-2-Clause BSD-2-Clause-Patent
    BSD-3-Clause BSD-3-Clause-LBNL BSL-1.0 BlueOak-1.0.0 CAL-1.0 CAL-1.0-Combined-Work-Exception
    CATOSL-1.1 CDDL-1.0 CECILL-2.1 CERN-OHL-P-2.0 CERN-OHL-S-2.0 CERN-OHL-W-2.0 CNRI-Python
    CPAL-1.0 CPL-1.0 CUA-OPL-1.0 ECL-1.0 ECL-2.0 EFL-1.0 EFL-2.0 EPL-1.0 EPL-2.0 EUDatagrid
    EUPL-1.1 EUPL-1.2 Entessa Fair Frameworx-1.0 GPL-2.0 GPL-2.0-only GPL-2.0-or-later GPL-2.0+
    GPL-3.0 GPL-3.0-only GPL-3.0-or-later GPL-3.0+ GPL-3.0-with-GCC-exception HPND ICU IPA
    IPL-1.0 ISC Intel Jam LGPL-2.0 LGPL-2.0+ LGPL-2.1+ LGPL-3.0+
    LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1 LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0
    LGPL-3.0-only LGPL-3.0-or-later LPL-1.0 LPL-1.02 LPPL-1.3c LiLiQ-P-1.1 LiLiQ-R-1.1
    LiLiQ-Rplus-1.1 MIT MIT-0 MIT-Modern-Variant MPL-1.0 MPL-1.1 MPL-2.0
    MPL-2.0-no-copyleft-exception MS-PL MS-RL MirOS Motosoto MulanPSL-2.0 Multics NASA-1.3
    NCSA NGPL NPOSL-3.0 NTP Naumen Nokia OCLC-2.0 OFL-1.1 OFL-1.1-RFN OFL-1.1-no-RFN OGTSL
    OLDAP-2.8 OLFL-1.3 OSET-PL-2.1 OSL-1.0 OSL-2.0 OSL-2.1 OSL-3.0 PHP-3.0 PHP-3.01 PostgreSQL
    Python-2.0 QPL-1.0 RPL-1.1 RPL-1.5 RPSL-1.0 RSCPL SISSL SPL-1.0 SimPL-2.0 Sleepycat
    UCL-1.0 UPL-1.0 Unicode-DFS-2016 Unlicense VSL-1.0 W3C Watcom-1.0 Xnet ZPL-2.0 ZPL-2.1
    Zlib wxWindows
    """.split()
)

#: Open-data licenses: fine for a dataset, though not OSI-approved software licenses.
OPEN_DATA = frozenset(
    s.casefold()
    for s in """
    CC0-1.0 CC-BY-4.0 CC-BY-3.0 CC-BY-2.0 CC-BY-SA-4.0 CC-BY-SA-3.0 ODC-By-1.0 ODbL-1.0
    PDDL-1.0 CDLA-Permissive-1.0 CDLA-Permissive-2.0 CDLA-Sharing-1.0 odc-by odbl pddl
    cdla-permissive-2.0
    """.split()
)

#: What hosts say when a license file exists but matches no known license.
UNRECOGNISED = frozenset({"noassertion", "other", "unknown"})


@check(
    "license",
    description="The target has an OSI-approved license (open-data license for datasets).",
    weight=DEFAULT_WEIGHTS["license"],
)
def license(ctx: CheckContext) -> Result:  # noqa: A001 - the check's name
    gated = gate(ctx, ANY_REPO_KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    if "license_spdx" not in data:
        return missing_key("license_spdx")
    spdx = data["license_spdx"]
    name = data.get("license_name") or data.get("license")  # Hugging Face: the raw license tag
    ev = {"license_spdx": spdx, "license_name": name}
    if spdx is None or str(spdx).strip() == "" or str(spdx).casefold() == "none":
        return Result("fail", "no license: others may not legally reuse it", 0.0, ev)
    spdx = str(spdx).strip()
    folded = spdx.casefold()
    if folded in OSI_APPROVED:
        return Result("pass", f"OSI-approved license {spdx}", 10.0, ev)
    if ctx.link.target.kind == "huggingface_dataset" and folded in OPEN_DATA:
        return Result("pass", f"open-data license {spdx}", 10.0, ev)
    if folded in UNRECOGNISED:
        shown = f": {name}" if name and str(name).casefold() not in UNRECOGNISED else ""
        return Result(
            "warn", f"license not recognised ({spdx}{shown}): custom or modified terms, read them", 5.0, ev
        )
    return Result("warn", f"{spdx} is not an OSI-approved license: reuse may be restricted", 5.0, ev)
