"""python manage.py verify_pack ID: rebuild an issued pack and compare its figures and files with those stored."""

from django.core.management.base import BaseCommand, CommandError

from reports.models import IssuedPack
from reports.packs import pack_verify


class Command(BaseCommand):
    help = "Rebuild an issued pack from its parameters; exit 1 if any figure or file differs from what was issued."

    def add_arguments(self, parser):
        parser.add_argument("pack", type=int)

    def handle(self, *args, **options):
        pack = IssuedPack.objects.filter(pk=options["pack"]).first()
        if pack is None:
            raise CommandError(f"There is no issued pack {options['pack']}.")
        check = pack_verify(pack=pack)
        for name, same in check.files.items():
            self.stdout.write(f"{'same' if same else 'DIFFERENT'}  {name}")
        if not check.ok:
            figures = "match" if check.figures_match else "differ"
            self.stderr.write(f"Pack {pack.pk} does NOT rebuild exactly (figures {figures}).")
            raise SystemExit(1)
        self.stdout.write(f"Pack {pack.pk} rebuilds exactly: figures hash {pack.figures_hash}.")
