from django.db import models


class Category(models.Model):
    """A node of the category tree (two levels: e.g. Design > Logo). Filtering by a parent includes children."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, help_text="Indonesian name.")
    name_en = models.CharField(max_length=100, help_text="English name.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return f"{self.parent.name} > {self.name}" if self.parent_id else self.name


class Skill(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="skills")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
