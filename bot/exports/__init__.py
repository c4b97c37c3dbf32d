"""Exports of a patient's logs for clinicians and patients: CSV files, a PDF report, FHIR R4.

Pure domain except `loader`, which reads the database: every format is a function of one
`ExportSnapshot`, so each can be tested without a database and all agree on the same data.
"""
