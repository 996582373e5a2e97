"""What a build may reuse from earlier builds."""
