"""Preservation of content (national guide art. 7): registered PREMIS 3 objects in named
storage locations, fixity audits, repair from verified replicas, and the rights check
before each preservation action. docs/preservation.md.

    registry.register(store, path, resource=IRI)      # files, folders, BagIt bags, OCFL objects
    audit.audit(store, cycle_days=30)                  # fixity audit, PREMIS events, resumable
    repair.replicate(store, "replica-1", library=IRI)  # copies to a replica, rights checked first
    repair.repair(store, library=IRI)                  # damaged or missing copies from intact ones
    report.preservation_report(store)                  # objects, copies, audits, failures, repairs
"""
