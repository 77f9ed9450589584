# Recomputes the outcome report's recurrence figures for the first two configured cohorts from
# courses.csv alone, with R's survival package: Kaplan–Meier recurrence-free survival (log-scale
# 95% intervals, as the report) at 90, 180 and 365 days, and the log-rank test.
# Run in the export's folder: Rscript reproduce.R
library(survival)
source("load.R")
cohorts <- c("1-2", "3-5")

courses <- registry$courses
# Responders followed for recurrence: non-sustained responses are reported apart.
followed <- subset(courses, as.character(cohort) %in% cohorts & responder & !non_sustained & !is.na(days_to_event))
followed$cohort <- factor(as.character(followed$cohort), levels = cohorts)
cat(sprintf("responders followed: %s\n", paste(cohorts, table(followed$cohort), sep = " n=", collapse = ", ")))

fit <- survfit(Surv(days_to_event, recurred) ~ cohort, data = followed, conf.type = "log")
print(summary(fit, times = c(90, 180, 365)))

if (all(table(followed$cohort) > 0)) {
  test <- survdiff(Surv(days_to_event, recurred) ~ cohort, data = followed)
  p <- pchisq(test$chisq, df = length(test$n) - 1, lower.tail = FALSE)
  cat(sprintf("log-rank chi-square %.4f p %.4f (p %.4e)\n", test$chisq, p, p))
} else {
  cat("log-rank: not computable (a cohort has no responders)\n")
}
