# Human gene-ID table from Debian's org.Hs.eg.db (Bioconductor annotation package).
# Called by scripts/make_gene_map.py through radiogenomics.rbridge.
rg_gene_map <- function() {
  suppressPackageStartupMessages(library(org.Hs.eg.db))
  keys <- AnnotationDbi::keys(org.Hs.eg.db, keytype = "ENTREZID")
  main <- suppressMessages(AnnotationDbi::select(org.Hs.eg.db, keys = keys,
                                                 columns = c("SYMBOL", "ENSEMBL", "GENETYPE"),
                                                 keytype = "ENTREZID"))
  alias <- suppressMessages(AnnotationDbi::select(org.Hs.eg.db, keys = keys,
                                                  columns = c("ALIAS"), keytype = "ENTREZID"))
  list(main = main, alias = alias,
       version = as.character(packageVersion("org.Hs.eg.db")))
}
