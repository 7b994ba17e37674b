"""HTML of the mirror's three CMS families, as plain Python string templates."""
