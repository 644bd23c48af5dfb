/* defaults.c — the skills and absence reasons of a new establishment. */
#include "defaults.h"
#include "../store/store.h"

static const char *const components[IMPORT_SKILL_COMPONENTS] = {
    "D1.1", "D1.2", "D1.3", "D1.4", "D2", "D3", "D4", "D5"};
static const char *const skills[IMPORT_SKILL_COMPONENTS][IMPORT_SKILLS_PER_COMPONENT] = {
    {"Lire et comprendre des textes variés", "Écrire un texte cohérent",
     "S'exprimer à l'oral de façon claire et organisée"},
    {"Comprendre un document oral en langue étrangère",
     "Lire et comprendre un texte en langue étrangère",
     "S'exprimer à l'oral et à l'écrit en langue étrangère"},
    {"Calculer avec les nombres", "Résoudre un problème",
     "Lire et construire des tableaux, graphiques et figures"},
    {"Pratiquer une activité artistique", "S'exprimer par les activités physiques et sportives",
     "Analyser une œuvre d'art"},
    {"Organiser son travail personnel", "Coopérer et réaliser des projets",
     "Rechercher et trier l'information"},
    {"Respecter les règles de la vie collective",
     "Exprimer son opinion et respecter celle des autres", "Faire preuve d'esprit critique"},
    {"Pratiquer des démarches scientifiques", "Concevoir et réaliser un objet technique",
     "Adopter un comportement responsable pour sa santé et l'environnement"},
    {"Se repérer dans le temps et l'espace",
     "Comprendre les organisations humaines et les territoires",
     "Raisonner, imaginer, élaborer, produire"},
};
static const char *const reasons[IMPORT_REASONS] = {
    "Maladie", "Rendez-vous médical", "Raison familiale", "Problème de transport",
    "Convocation officielle", "Autre"};

int import_establishment_defaults(struct store *s, int64_t est, int64_t *skill_ids,
                                  int64_t *reason_ids)
{
    int64_t id;
    for (int c = 0; c < IMPORT_SKILL_COMPONENTS; c++)
        for (int j = 0; j < IMPORT_SKILLS_PER_COMPONENT; j++) {
            if (store_int(s, &id,
                          "INSERT INTO skill (establishment_id, component, label)"
                          " VALUES ($1, $2, $3) RETURNING id",
                          "itt", est, components[c], skills[c][j]) != 1)
                return -1;
            if (skill_ids) skill_ids[c * IMPORT_SKILLS_PER_COMPONENT + j] = id;
        }
    for (int r = 0; r < IMPORT_REASONS; r++) {
        if (store_int(s, &id,
                      "INSERT INTO absence_reason (establishment_id, label, position)"
                      " VALUES ($1, $2, $3) RETURNING id",
                      "iti", est, reasons[r], (int64_t)(10 * (r + 1))) != 1)
            return -1;
        if (reason_ids) reason_ids[r] = id;
    }
    return 0;
}
