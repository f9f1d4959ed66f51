"""Open data (/open-data): the public datasets as CSV, XLSX and JSON, and the 360Giving grants file.

fields: the field dictionary; datasets: what each dataset publishes; queries: its public rows, streamed;
writers: CSV, JSON and XLSX; grants: 360Giving; views: the page and the downloads.
"""
