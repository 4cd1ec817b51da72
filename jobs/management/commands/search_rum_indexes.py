"""`manage.py search_rum_indexes`: create the RUM indexes of job search (jobs/rum.py) on a database migrated before
the rum extension was installed on its server. Builds CONCURRENTLY, so jobs stay writable meanwhile. Restart the
web processes afterwards: each looks the indexes up once."""

from django.core.management.base import BaseCommand
from django.db import connection

from jobs.rum import rum_indexes_create


class Command(BaseCommand):
    help = "Create the RUM indexes of job search where the rum extension is installed (see jobs/rum.py)."

    def handle(self, *args, **options):
        created = rum_indexes_create(connection, concurrently=True)
        if created:
            self.stdout.write(f"Created {', '.join(created)}. Restart the web processes to use them.")
        elif connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: the rum indexes exist only on PostgreSQL.")
        else:
            self.stdout.write("Nothing created: the indexes exist already, or rum is not installed (see the log).")
