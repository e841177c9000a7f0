"""Bulk import of a zip archive or a server folder, keeping the folder tree as categories.

An ImportJob lists its source once per run and records every entry as an ImportItem; only items
without a final status are processed, so a run killed half-way is resumed by running the job again
(`import_job_task`, the periodic `resume_import_jobs_task`, or `import_documents --resume`) and no
file is ever imported twice. Zip archives are read as untrusted input: entry count, total size and
compression ratio are bounded while streaming, and unsafe names (`../`, absolute paths, drive
letters), symbolic links and encrypted entries are rejected with a reason.
"""
