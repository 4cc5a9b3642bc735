"""zhixing's certification kit for vendors (``zhixing certify``): conformance suites against the published 查控
interface profile (``core_flow/profile``), with evidence a vendor can hand over.

* :mod:`certify.agency_suite` — tests a system playing an agency or the 总对总 hub over HTTP (``certify agency``);
* :mod:`certify.evidence` — JSON per requirement, JUnit, an offline HTML report, a manifest and a SHA-256 digest
  (``certify verify``);
* :mod:`certify.fixtures` — the vendor's test debtors and holdings (YAML, JSON Schema ``fixtures.schema.json``);
* ``expected_failures.yaml`` — the self-check: each deliberate defect of the mock server and the requirement IDs that
  must catch it.

The kit speaks only the protocol (``core_flow.protocol``, the profile, masking); zhixing's admin API is used only
when a capability probe finds the system under test is zhixing's mock server.
"""

from __future__ import annotations

KIT_VERSION = "0.6.5"  # semver of the kit, independent of the package and of the profile
