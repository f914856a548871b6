"""COUNTER usage (R5 and R5.1), payments and the effectiveness indicators (docs/usage.md).

    counter_spec   what COUNTER allows: report types, metric types per report, code lists
    reader         TSV/CSV, xlsx and JSON (SUSHI) reports -> CounterReport (rows with locations)
    checks         COUNTER's rules on a parsed report, errors naming row and column
    cube           a CounterReport as W3C RDF Data Cube (qb:DataSet, qb:Slice, observations)
    importing      all-or-nothing import through the SHACL gate, replace on re-import
    links          usage items -> catalogue resources, by ISSN, ISBN, DOI, proprietary ID
    payments       payments and invoices (fund, currency) in confidential graphs
    indicators     usage, cost per use and demand reports
"""
