"""Training models. Each part lives in its own module; add new modules (certificates, …)
beside these and export them here."""

from .calendar import CalendarFeed
from .certificates import (
    CERTIFICATE_LANGUAGES,
    Certificate,
    IssuerKey,
)
from .cohorts import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Mark,
    ResultStatus,
    Session,
)
from .courses import (
    AssessmentModality,
    Course,
    CourseMode,
    CourseModule,
    DesignWorkshop,
    LearningOutcome,
    OutcomeCompetency,
    Programme,
    ProgrammeKind,
)
from .students import CURRENT_STUDENT_STATUSES, ProgrammeStudent, StudentStatus
from .trainers import (
    ExternalParticipation,
    ExternalProgramme,
    ExternalProgrammeKind,
    ParticipationResult,
    TrainerProfile,
)

__all__ = [
    "ATTENDED",
    "CERTIFICATE_LANGUAGES",
    "CURRENT_STUDENT_STATUSES",
    "AssessmentModality",
    "Attendance",
    "AttendanceStatus",
    "CalendarFeed",
    "Certificate",
    "Cohort",
    "CohortStatus",
    "Course",
    "CourseMode",
    "CourseModule",
    "DesignWorkshop",
    "Enrolment",
    "EnrolmentStatus",
    "ExternalParticipation",
    "ExternalProgramme",
    "ExternalProgrammeKind",
    "IssuerKey",
    "LearningOutcome",
    "Mark",
    "OutcomeCompetency",
    "ParticipationResult",
    "Programme",
    "ProgrammeKind",
    "ProgrammeStudent",
    "ResultStatus",
    "Session",
    "StudentStatus",
    "TrainerProfile",
]
