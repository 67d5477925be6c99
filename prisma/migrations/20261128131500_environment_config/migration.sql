-- AlterTable
ALTER TABLE "environment" ADD COLUMN     "hooks" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "limits" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "routerConfig" JSONB NOT NULL DEFAULT '{}';
