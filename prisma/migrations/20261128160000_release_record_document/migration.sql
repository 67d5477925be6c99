-- AlterTable: the release record as a structured document; older rows keep only their Markdown.
ALTER TABLE "release_record" ADD COLUMN     "document" JSONB;
