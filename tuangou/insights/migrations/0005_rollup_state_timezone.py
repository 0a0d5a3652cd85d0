from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def built_in_the_shops_zone(apps, schema_editor):
    """The rollups so far were built in their shop's timezone of today, as they assumed."""
    RollupState = apps.get_model("insights", "RollupState")
    Shop = apps.get_model("shops", "Shop")
    RollupState.objects.update(timezone=Subquery(Shop.objects.filter(pk=OuterRef("shop_id")).values("timezone")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0004_cohort_activity"),
        ("shops", "0003_shop_sms_daily_budget"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollupstate",
            name="timezone",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="汇总时区"),
        ),
        migrations.RunPython(built_in_the_shops_zone, migrations.RunPython.noop),
    ]
