/* nomenclature.h — national facts the importers share: the holiday zone of
 * an establishment from its UAI, the kind of an establishment from its
 * type's label, the level of a class or formation from its label. */
#ifndef CARNET_IMPORT_NOMENCLATURE_H
#define CARNET_IMPORT_NOMENCLATURE_H

/* The zone ('A', 'B', 'C', 'Corse', overseas names) of the département that
 * opens a UAI (7 digits and a letter), or NULL when it is not one. */
const char *nomenclature_zone_of_uai(const char *uai);
/* 'ecole', 'college' or 'lycee' from a type label (ENTStructureTypeStruct:
 * "COLLEGE", "LYCEE PROFESSIONNEL", "ECOLE ELEMENTAIRE PUBLIQUE"…) or,
 * failing that, from the name; NULL when neither tells. */
const char *nomenclature_establishment_kind(const char *type, const char *name);
/* The level code (PS … CM2, 6E … 3E, 2NDE, 1ERE, TLE) a class code or a
 * label names ("4B", "4EME B", "CE2-CM1", "TERMINALE GENERALE"), or NULL. */
const char *nomenclature_level(const char *text);

/* The unaccented upper-case ASCII letter of the character at p (UTF-8:
 * the Latin-1 letters with accents, é → E) into *c, or the byte itself
 * upper-cased when ASCII; 0 into *c for any other character. Returns the
 * number of bytes read (1 or 2; 1 for any other byte of a sequence). */
int nomenclature_ascii(const unsigned char *p, char *c);

#endif
