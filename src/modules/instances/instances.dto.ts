import { Transform } from 'class-transformer';
import { IsIn, isISO8601, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { IsLimitedText, IsPageLimit } from '../../shared/http/limits';
import { INSTANCE_STATUSES, InstanceStatus } from '../../shared/read-models/documents';
import { ID_MESSAGE, ID_PATTERN } from '../definitions/definitions.dto';

export { IsPageLimit };

export class CreateInstanceDto {
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE('definitionId') })
  definitionId!: string;

  @IsOptional()
  @IsString()
  @IsLimitedText()
  name?: string;

  @IsOptional()
  @IsString()
  @IsLimitedText()
  correlationId?: string;

  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE('id') })
  id?: string;
}

/** A strict ISO-8601 date-time that `Date` can read: `IsISO8601` alone admits week dates and the basic format, which it cannot. */
const IsDateTime = (field: string) =>
  ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isISO8601(v, { strict: true }) && !Number.isNaN(Date.parse(v)),
      defaultMessage: () => `${field} must be an ISO-8601 date-time`,
    },
  });

/** The list filters; the bulk delete accepts the same object as `filter`. */
export class InstanceFilterDto {
  /** One status or several, comma-separated. */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value))
  @IsIn(INSTANCE_STATUSES as InstanceStatus[], { each: true, message: `status must be one or more of ${INSTANCE_STATUSES.join(', ')}` })
  status?: InstanceStatus[];

  @IsOptional()
  @IsString()
  @MaxLength(100)
  definitionId?: string;

  @IsOptional()
  @IsString()
  @IsLimitedText()
  correlationId?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @IsLimitedText()
  search?: string;

  @IsOptional()
  @IsDateTime('createdAfter')
  createdAfter?: string;

  @IsOptional()
  @IsDateTime('createdBefore')
  createdBefore?: string;

  @IsOptional()
  @IsIn(['exclude', 'include', 'only'])
  deleted?: 'exclude' | 'include' | 'only';
}

export class ListInstancesDto extends InstanceFilterDto {
  @IsPageLimit()
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;

  @IsOptional()
  @IsIn(['createdAt', 'updatedAt'])
  orderBy?: 'createdAt' | 'updatedAt';

  @IsOptional()
  @IsIn(['asc', 'desc'])
  orderDirection?: 'asc' | 'desc';
}

export class GetInstanceDto {
  @IsOptional()
  @IsIn(['exclude', 'include'])
  deleted?: 'exclude' | 'include';
}

export class FaultDto {
  @IsOptional()
  @IsString()
  @IsLimitedText()
  error?: string;
}

export class CreateBookmarkDto {
  @IsString()
  @MinLength(1)
  @IsLimitedText()
  name!: string;

  @IsOptional()
  payload?: unknown;
}

export class ResumeBookmarkDto {
  @IsOptional()
  input?: unknown;
}

export class ListBookmarksDto {
  @IsOptional()
  @IsString()
  @IsLimitedText()
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  instanceId?: string;

  @IsPageLimit()
  limit?: number;
}
