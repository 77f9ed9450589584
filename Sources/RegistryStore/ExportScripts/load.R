# Reads every table of this SCN registry export with the types and value labels of codebook.csv:
# integers, decimals, dates, 0/1 as logical, coded columns as factors with their labels.
#
#   source("load.R")          # run in the export's folder (or set registry_dir first)
#   str(registry$courses)     # one data frame per table: registry$pain_scores, registry$sessions, ...
local({
  dir <- if (exists("registry_dir")) registry_dir else "."
  codebook <- read.csv(file.path(dir, "codebook.csv"), colClasses = "character", na.strings = character(0),
                       fileEncoding = "UTF-8", check.names = FALSE)
  typed <- function(x, type, codes) {
    if (type == "integer (0/1)") return(as.logical(as.integer(x)))
    if (type == "integer") return(as.integer(x))
    if (startsWith(type, "decimal")) return(as.numeric(x))
    if (startsWith(type, "date ")) return(as.Date(x))
    if (startsWith(type, "datetime")) return(as.POSIXct(x, format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC"))
    if (type == "string (code)" && nzchar(codes)) {
      pairs <- strsplit(strsplit(codes, "; ", fixed = TRUE)[[1]], "=", fixed = TRUE)
      return(factor(x, levels = vapply(pairs, `[`, "", 1), labels = vapply(pairs, `[`, "", 2)))
    }
    x
  }
  read_table <- function(table) {
    columns <- codebook[codebook$table == table, ]
    frame <- read.csv(file.path(dir, paste0(table, ".csv")), colClasses = "character", na.strings = "",
                      fileEncoding = "UTF-8", check.names = FALSE)
    for (i in seq_len(nrow(columns))) {
      name <- columns$column[i]
      frame[[name]] <- typed(frame[[name]], columns$type[i], columns$codes[i])
    }
    frame
  }
  tables <- unique(codebook$table)
  registry <<- setNames(lapply(tables, read_table), tables)
})
