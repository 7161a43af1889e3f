"""The courses and the theses of the demo's degree programmes (``demo_degrees``)."""

MASTERS = "med-educational-administration"
DOCTORATE = "phd-educational-administration"

# code, (en, fr, km), hours, credits, modalities [(en, fr, km, weight)]
COURSES = {
    MASTERS: [
        (
            "med-policy-planning",
            (
                "Educational policy and planning",
                "Politique et planification de l'éducation",
                "គោលនយោបាយ និងផែនការអប់រំ",
            ),
            "45",
            "3",
            [
                ("Assignments", "Travaux", "កិច្ចការ", "40"),
                ("Final examination", "Examen final", "ការប្រឡងបញ្ចប់", "60"),
            ],
        ),
        (
            "med-research-methods",
            (
                "Research methods in education",
                "Méthodes de recherche en éducation",
                "វិធីសាស្ត្រស្រាវជ្រាវក្នុងវិស័យអប់រំ",
            ),
            "45",
            "3",
            [
                ("Research proposal", "Projet de recherche", "សំណើស្រាវជ្រាវ", "60"),
                ("Final examination", "Examen final", "ការប្រឡងបញ្ចប់", "40"),
            ],
        ),
        (
            "med-education-finance",
            ("Education finance", "Financement de l'éducation", "ហិរញ្ញវត្ថុអប់រំ"),
            "45",
            "3",
            [
                ("Assignments", "Travaux", "កិច្ចការ", "40"),
                ("Final examination", "Examen final", "ការប្រឡងបញ្ចប់", "60"),
            ],
        ),
        (
            "med-school-leadership",
            (
                "School leadership and management",
                "Direction et gestion des établissements scolaires",
                "ភាពជាអ្នកដឹកនាំ និងការគ្រប់គ្រងសាលារៀន",
            ),
            "45",
            "3",
            [
                ("Case study", "Étude de cas", "ករណីសិក្សា", "50"),
                ("Final examination", "Examen final", "ការប្រឡងបញ្ចប់", "50"),
            ],
        ),
        (
            "med-quantitative-methods",
            (
                "Quantitative methods for education",
                "Méthodes quantitatives pour l'éducation",
                "វិធីសាស្ត្របរិមាណសម្រាប់វិស័យអប់រំ",
            ),
            "45",
            "3",
            [
                (
                    "Exercises on EMIS data",
                    "Exercices sur les données du SIGE",
                    "លំហាត់លើទិន្នន័យ EMIS",
                    "40",
                ),
                ("Final examination", "Examen final", "ការប្រឡងបញ្ចប់", "60"),
            ],
        ),
        (
            "med-thesis-seminar",
            ("Thesis seminar", "Séminaire de mémoire", "សិក្ខាសាលាសារណា"),
            "30",
            "3",
            [
                ("Thesis proposal", "Projet de mémoire", "សំណើសារណា", "40"),
                (
                    "Seminar presentations",
                    "Présentations en séminaire",
                    "បទបង្ហាញក្នុងសិក្ខាសាលា",
                    "60",
                ),
            ],
        ),
    ],
    DOCTORATE: [
        (
            "phd-research-design",
            (
                "Advanced research design",
                "Conception avancée de la recherche",
                "ការរចនាការស្រាវជ្រាវកម្រិតខ្ពស់",
            ),
            "45",
            "4",
            [("Research paper", "Article de recherche", "អត្ថបទស្រាវជ្រាវ", "100")],
        ),
        (
            "phd-policy-analysis",
            (
                "Education policy analysis",
                "Analyse des politiques éducatives",
                "ការវិភាគគោលនយោបាយអប់រំ",
            ),
            "45",
            "4",
            [("Policy paper", "Note de politique", "ឯកសារគោលនយោបាយ", "100")],
        ),
        (
            "phd-dissertation-seminar",
            (
                "Doctoral dissertation seminar",
                "Séminaire doctoral de thèse",
                "សិក្ខាសាលានិក្ខេបបទបណ្ឌិត",
            ),
            "30",
            "4",
            [("Dissertation proposal", "Projet de thèse", "សំណើនិក្ខេបបទ", "100")],
        ),
    ],
}

MASTERS_THESES = [
    "Teacher deployment to remote primary schools in Ratanakiri province",
    "How district offices use school operating budgets: three districts of Siem Reap",
    "Why pupils leave lower secondary school before grade 9 in Kampong Cham",
    "Using EMIS data to prepare the provincial education plan: practice in three offices",
    "School improvement grants and primary completion in Battambang",
    "Women school directors in Takeo province: paths and obstacles",
    "The cost of expanding early childhood education in Prey Veng",
    "Monitoring the provincial education sector plan in Kampot",
    "Teacher absence and learning in rural lower secondary schools",
    "Financial management in district offices of education after decentralisation",
    "School support committees and community participation in Kandal",
    "Projecting lower secondary enrolment in Banteay Meanchey to 2030",
    "The training needs of district education officers",
    "Repetition and promotion in primary education: a reconstructed cohort in Pursat",
    "Multigrade teaching in small primary schools of Mondulkiri",
]
DISSERTATIONS = [
    "Decentralised planning in Cambodian education: provincial offices of education, 2010–2023",
    "Equity in public spending on education across Cambodia's provinces",
    "Teacher careers and retention in Cambodia",
    "Developing institutional capacity for educational planning: the National Institute "
    "of Education",
    "Learning assessment data in national education planning",
]
