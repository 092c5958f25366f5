"""What people take away from the record: files of the queries' answers.

- ``tabular``: CSV (UTF-8 with a byte-order mark, so Excel reads Vietnamese) and XLSX
  (``xlsx_file``, each sheet's rows written into the zip as they come), both
  streamed row by row, never held whole.
- report formats: the period report as XLSX, CSV and an editable DOCX.

May import: ``events.queries``, ``workflow``. Never ``events.system`` at run time,
``cli`` or ``web``.
"""
