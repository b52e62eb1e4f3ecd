# Reference for differential_expression(test="LRT"): DESeq2's likelihood-ratio test on the
# TCGA HNSC counts written by make_reference.R (de_counts_hnsc.csv, the 63 tumours with an
# HPV status), with the tumour site from the shared HPV/site table.
#   full ~ site + hpv, reduced ~ site  (1 df: HPV adjusted for site)
#   full ~ hpv + site, reduced ~ hpv   (2 df: site, a three-level factor)
# Run from the repository root:  Rscript tests/reference/make_deseq2_lrt.R
# (R 4.2.2, Debian r-bioc-deseq2). Writes de_coldata_site_hnsc.csv and
# deseq2_lrt_hnsc_{hpv,site}.csv.
suppressPackageStartupMessages(library(DESeq2))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
shared <- file.path(dirname(dirname(dirname(here))), "shared", "data", "expression", "tcga_hnsc")
cnt <- read.csv(file.path(here, "de_counts_hnsc.csv"), row.names = 1, check.names = FALSE)
cnt <- as.matrix(cnt); storage.mode(cnt) <- "integer"
coldata <- read.csv(file.path(here, "de_coldata_hnsc.csv"))
meta <- read.csv(file.path(shared, "tcga_hnsc_hpv_status_site.csv"), check.names = FALSE)
coldata$site <- c("Oral Cavity" = "oral", "Larynx" = "larynx",
                  "Oropharynx" = "oropharynx")[meta$Site[match(coldata$sample, meta$Barcode)]]
stopifnot(!anyNA(coldata$site), identical(colnames(cnt), coldata$sample))
write.csv(coldata, file.path(here, "de_coldata_site_hnsc.csv"), row.names = FALSE)
coldata$hpv <- factor(coldata$hpv, levels = c("neg", "pos"))
coldata$site <- factor(coldata$site, levels = c("larynx", "oral", "oropharynx"))

lrt <- function(full, reduced, contrast, file) {
  dds <- DESeqDataSetFromMatrix(cnt, coldata, design = full)
  dds <- DESeq(dds, test = "LRT", reduced = reduced, quiet = TRUE)
  res <- results(dds, contrast = contrast)
  mc <- mcols(dds)
  # where the answer is fragile: convergence of the fits, dispersion outliers (their
  # dispersion is the gene-wise MLE, often on a flat likelihood) and genes refitted after
  # Cook's outlier replacement
  refitted <- if (is.null(mc$replace)) rep(FALSE, nrow(dds)) else mc$replace %in% TRUE
  write.csv(data.frame(gene = rownames(res), base_mean = res$baseMean,
                       log2fc = res$log2FoldChange, lfc_se = res$lfcSE, stat = res$stat,
                       pvalue = res$pvalue, padj = res$padj,
                       full_conv = mc$fullBetaConv %in% TRUE,
                       reduced_conv = mc$reducedBetaConv %in% TRUE,
                       disp_outlier = mc$dispOutlier %in% TRUE, refitted = refitted),
            file.path(here, file), row.names = FALSE)
}
lrt(~ site + hpv, ~ site, c("hpv", "pos", "neg"), "deseq2_lrt_hnsc_hpv.csv")
lrt(~ hpv + site, ~ hpv, c("site", "oropharynx", "larynx"), "deseq2_lrt_hnsc_site.csv")
cat("DESeq2 LRT references written:", nrow(cnt), "genes x", ncol(cnt), "samples\n")
